import * as echarts from 'echarts';
const c = echarts.init(null, null, {renderer:'svg', ssr:true, width:800, height:400});
c.setOption({animation:false, title:{text:'各省份完成度'}, xAxis:{type:'category', data:['北京','天津','河北'], axisLabel:{interval:0, rotate:45}}, yAxis:{type:'value'}, series:[{type:'bar', data:[0.3,0.5,0.7], label:{show:true,position:'top'}, markLine:{data:[{yAxis:0.4}]}}], textStyle:{fontFamily:'Noto Sans CJK SC'}});
console.log(c.renderToSVGString().match(/<text[^>]*>[^<]*<\/text>/g).join('\n'));
